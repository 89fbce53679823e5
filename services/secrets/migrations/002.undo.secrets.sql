DROP TABLE IF EXISTS master_key_checks;
DROP TABLE IF EXISTS secret_versions;
DROP TABLE IF EXISTS data_keys;
DROP TABLE IF EXISTS secrets;
