/*
 * exec_floor: the least any runtime wrapper can cost.  Statically linked, it
 * does nothing but execve the runtime it was built for (-DRUNTIME=...) with
 * its own argv, as hardrun's passthrough does.  The start bench times it
 * next to runc and hardrun-off: hardrun-off against this row is what
 * hardrun's own work in passthrough (node config, annotations) costs beyond
 * the unavoidable extra exec.
 */
#include <stdio.h>
#include <unistd.h>

#ifndef RUNTIME
#error "build with -DRUNTIME='\"/path/to/runc\"'"
#endif

int main(int argc, char **argv)
{
	(void)argc;
	argv[0] = (char *)RUNTIME;
	execv(RUNTIME, argv);
	perror("exec_floor: " RUNTIME);
	return 127;
}
