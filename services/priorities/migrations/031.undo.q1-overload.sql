DROP TABLE q1_overload;
