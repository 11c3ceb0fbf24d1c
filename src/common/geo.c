/*
 * geo.c - great-circle distance for the circular regions of aclr
 * (docs/language.md 6.3).
 */
#include <math.h>

#include "common/prims.h"

#define EARTH_RADIUS_M 6371008.8 /* IUGG mean Earth radius */
#define PI 3.14159265358979323846

static double radians(double deg)
{
	return deg * (PI / 180.0);
}

/* Haversine rather than the spherical law of cosines: it stays accurate for
 * the short distances (metres to kilometres) that region circles use. The
 * clamp keeps rounding from pushing asin's argument above 1 for antipodes. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = radians(lat1), p2 = radians(lat2);
	double dp = radians(lat2 - lat1), dl = radians(lon2 - lon1);
	double sdp = sin(dp / 2), sdl = sin(dl / 2);
	double a = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;
	double r = sqrt(a);
	if (r > 1.0)
		r = 1.0;
	return 2.0 * EARTH_RADIUS_M * asin(r);
}
