/* dump.h - readable text of a loaded image (see dump.c). */
#ifndef PDP_CLI_DUMP_H
#define PDP_CLI_DUMP_H

#include <stdio.h>

#include "pdp/pdp.h"

void dump_image(FILE *out, const pdp_image *img);

#endif
