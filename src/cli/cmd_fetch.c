/* cmd_fetch.c: placeholder until the subcommand lands. */
#include "cli.h"
#include "exitcode.h"
int cmd_fetch(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_fail(ES_EXIT_USAGE, "fetch is not implemented yet");
}
