"""Shared test helpers: real repositories, forges, servers and sites, one module per kind."""
