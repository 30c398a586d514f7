# The hooks of a monitor suite (monitor.bats, monitor_ops.bats,
# monitor_kernel.bats): `load helpers`, `load monitor/helpers`, then this.
setup_file() {
	monitor_setup_file
}

setup() {
	monitor_setup
}

teardown() {
	monitor_teardown
}
