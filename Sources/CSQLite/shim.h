#ifndef DATELINE_CSQLITE_SHIM_H
#define DATELINE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
