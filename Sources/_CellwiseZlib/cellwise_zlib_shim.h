#ifndef CELLWISE_ZLIB_SHIM_H
#define CELLWISE_ZLIB_SHIM_H
#include <zlib.h>
#endif
