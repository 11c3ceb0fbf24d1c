/* A parent project's program using pdp as a meson subproject
 * (tools/test-subproject.sh): it compiles and decides with the embedded
 * evaluator. The unused variable is deliberate: the parent does not build
 * with -Werror, and pdp must not turn it on for it. */
#include <stdio.h>
#include <string.h>

#include <pdp/pdp.h>

int main(void)
{
	int unused_on_purpose;
	if (strcmp(pdp_version(), PDP_VERSION_STRING) != 0) {
		printf("library %s, header %s\n", pdp_version(), PDP_VERSION_STRING);
		return 1;
	}
	pdp_image *img = NULL;
	pdp_error err;
	/* not an image: the loader must say so, through the public API */
	static const unsigned char junk[] = "not an image";
	if (pdp_image_load(junk, sizeof(junk), &img, &err) == PDP_OK)
		return 1;
	printf("pdp %s as a subproject: %s\n", pdp_version(), err.message);
	return 0;
}
