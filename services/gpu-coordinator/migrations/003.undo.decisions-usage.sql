DROP TABLE gpu_usage;
DROP TABLE decisions;
