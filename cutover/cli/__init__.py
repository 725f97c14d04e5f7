"""The `cutover` command line: deploy, watch and steer blue/green rollouts."""
