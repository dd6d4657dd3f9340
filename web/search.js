// Filled by the repository browser commit.
