/* cmd_score.c: placeholder until the subcommand lands. */
#include "cli.h"
#include "exitcode.h"
int cmd_score(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_fail(ES_EXIT_USAGE, "score is not implemented yet");
}
