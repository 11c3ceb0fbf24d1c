/*
 * loghook.c - the decision-log hook pdp-bench measures (loghook.h). It
 * does what an in-process audit trail needs: a coarse wall-clock stamp
 * (the library reads no clock) and a fixed-size copy of the decision into
 * preallocated memory.
 */
#include <string.h>
#include <time.h>

#include "loghook.h"

void loghook_record(void *ctx, const pdp_image *img, const pdp_request *req,
                    const pdp_decision *d)
{
	log_ring *ring = ctx;
	log_entry *e = &ring->e[ring->n++ % LOG_RING];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	e->image_id = pdp_image_id(img);
	e->revision = pdp_image_revision(img);
	e->sec = (int64_t)ts.tv_sec;
	e->nsec = (int32_t)ts.tv_nsec;
	e->operation = req->operation;
	e->acp = d->acp;
	e->rule = d->rule;
	e->effect = (uint8_t)d->effect;
	e->reason = (uint8_t)d->reason;
	size_t n = req->originator.len < sizeof(e->originator)
	                   ? req->originator.len
	                   : sizeof(e->originator);
	memcpy(e->originator, req->originator.ptr, n);
	e->originator_len = (uint8_t)n;
}
