DROP TABLE IF EXISTS setup_codes;
DROP TABLE IF EXISTS killswitch_events;
DROP TABLE IF EXISTS company_settings;
