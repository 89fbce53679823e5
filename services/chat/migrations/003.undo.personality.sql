DROP TABLE personality_history;
DROP TABLE personality;
