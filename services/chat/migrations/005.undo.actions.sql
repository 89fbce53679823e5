DROP TABLE killswitch_state;
DROP TABLE actions;
