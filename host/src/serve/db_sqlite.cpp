// Placeholder until the sqlite backend lands.
#include <stdexcept>

#include "db_backends.h"

namespace eiota::serve {

std::unique_ptr<Db> open_sqlite(const std::string&) { throw std::runtime_error("the sqlite backend is not built yet"); }

}  // namespace eiota::serve
