/*
 * identity.c - the revision and note the compiler stamps on its images
 * (image/identity.h), kept apart from emit.c so that the policy sections
 * stay exactly what they were.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compiler/cc.h"

pdpc_status pdpc_set_identity(pdpc_compiler *c, uint64_t revision,
                              const char *note)
{
	if (c == NULL)
		return PDPC_ERR_ARG;
	c->revision = revision;
	snprintf(c->note, sizeof(c->note), "%s", note ? note : "");
	return PDPC_OK;
}

bool cc_stamp_image(cc *c)
{
	uint8_t *out = NULL;
	size_t len = 0;
	if (!img_stamp(c->image, c->image_len, c->revision, c->note, &out,
	               &len, &c->ident)) {
		c->oom = true;
		return false;
	}
	free(c->image);
	c->image = out;
	c->image_len = len;
	return true;
}
