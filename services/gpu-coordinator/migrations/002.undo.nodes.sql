DROP TABLE mesh_samples;
DROP TABLE node_models;
DROP TABLE nodes;
