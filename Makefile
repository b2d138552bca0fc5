# The two commands of the README. Everything else is in scripts/.
.PHONY: demo test setup lint

demo:
	scripts/setup.sh
	.venv/bin/fengqiao demo

test:
	scripts/setup.sh --test
	scripts/test.sh

setup:
	scripts/setup.sh --test
