// The two Db backends; open_db (db_open.cpp) picks one by the URL's scheme.
#pragma once

#include <memory>
#include <string>

#include "db.h"

namespace eiota::serve {

// A SQLite file (created if absent), in WAL mode so readers never wait for the writer.
std::unique_ptr<Db> open_sqlite(const std::string& path);
// A libpq conninfo URI; a pool of connections shared by the server's threads.
std::unique_ptr<Db> open_postgres(const std::string& url);

}  // namespace eiota::serve
