/* cmd_run.c: placeholder until the subcommand lands. */
#include "cli.h"
#include "exitcode.h"
int cmd_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_fail(ES_EXIT_USAGE, "run is not implemented yet");
}
