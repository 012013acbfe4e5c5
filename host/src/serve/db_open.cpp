#include <stdexcept>

#include "db_backends.h"

namespace eiota::serve {

std::unique_ptr<Db> open_db(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) return open_sqlite(url.substr(7));
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres(url);
  throw std::runtime_error("--db: \"" + url.substr(0, url.find(':')) + ":...\" is neither sqlite:<file> nor postgresql://...");
}

}  // namespace eiota::serve
