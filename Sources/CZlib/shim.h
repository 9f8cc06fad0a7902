#ifndef DATELINE_CZLIB_SHIM_H
#define DATELINE_CZLIB_SHIM_H
#include <zlib.h>
#endif
