DROP TABLE user_settings;
DROP TABLE user_focus;
DROP TABLE item_feedback;
DROP TABLE deals;
DROP TABLE people;
DROP TABLE item_sources;
DROP TABLE task_details;
DROP TABLE items;
