"""A read API for the systems of cities and councils: plan rows and approved 実績, by token."""
