// Filled by the builds pages commit.
