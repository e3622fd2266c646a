/* run-file-fixtures.h: run files the monitor's tests open and render
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <mpaio.h>

/* clang-format off */
G_BEGIN_DECLS

/* A run file (mpaio-run JSON) in a temporary folder of its own, which
 * test_run_file_free() removes with what was rendered there. */
typedef struct
{
  char  *dir;
  char  *path;
  GFile *file;
} TestRunFile;

TestRunFile    *test_run_file_new               (const char  *json);
/* Two processes, 4 chunks each, from 1 s to 9 s, and CPU samples at 100 %
 * on core 0 and 50 % on core 1. */
TestRunFile    *test_run_file_new_two_processes (void);
/* What `mpaio-demo --executor mpi --report` saves, reduced: rank 0 on
 * node-a ran chunk 0; on node-b, two processes ran chunks 1 and 2; three
 * cores sampled, two on node-a and one on node-b, each busy in turn. */
TestRunFile    *test_run_file_new_mpi           (void);
void            test_run_file_free              (TestRunFile *run);

/* The run file read back as a report. */
MpaioRunReport *test_run_file_load              (TestRunFile *run);
/* `mpaio-monitor --render` of the run file, with no display, at this
 * size. */
GdkTexture     *test_run_file_render            (TestRunFile *run,
                                                 int          width,
                                                 int          height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRunFile, test_run_file_free)

G_END_DECLS
