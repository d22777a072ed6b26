/* Starting throwaway servers for tests: a child process that prints its port on stdout once it
 * listens on 127.0.0.1. Used by the remote-client and llama.cpp tests. */
#ifndef CLM_TEST_SERVER_HELPERS_H
#define CLM_TEST_SERVER_HELPERS_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct clm_test_server {
	pid_t pid;
	int port;
	char url[64]; /* http://127.0.0.1:<port> */
};

/* Run argv (argv[0] looked up on PATH) and wait for its port line; 0, or -1 when the program
 * cannot run or exits without printing a port (then nothing is left running). */
static inline int clm_test_server_start(struct clm_test_server *s, char *const argv[])
{
	char line[32] = "";
	int fds[2];
	FILE *fp;

	if (pipe(fds) < 0)
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	if (!fp || !fgets(line, sizeof(line), fp) || atoi(line) <= 0) {
		if (fp)
			fclose(fp);
		else
			close(fds[0]);
		if (s->pid > 0) {
			kill(s->pid, SIGTERM);
			waitpid(s->pid, NULL, 0);
		}
		return -1;
	}
	fclose(fp);
	s->port = atoi(line);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	return 0;
}

/* Stop the server and reap it. */
static inline void clm_test_server_stop(struct clm_test_server *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

#endif
