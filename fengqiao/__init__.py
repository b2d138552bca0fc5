"""Fengqiao: the working system of a grassroots police station."""
