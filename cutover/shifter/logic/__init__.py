"""Pure domain logic of the traffic shifter: no AWS calls, no I/O."""
