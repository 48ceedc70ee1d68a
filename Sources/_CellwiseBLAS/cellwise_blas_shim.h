// Shim for OpenBLAS's CBLAS interface and LAPACKE.
// Deliberately not named cblas.h and defining no CBLAS_H: OpenBLAS's header uses that guard.
#ifndef CELLWISE_BLAS_SHIM_H
#define CELLWISE_BLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
