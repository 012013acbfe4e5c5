// Placeholder until the postgres backend lands.
#include <stdexcept>

#include "db_backends.h"

namespace eiota::serve {

std::unique_ptr<Db> open_postgres(const std::string&) { throw std::runtime_error("the postgres backend is not built yet"); }

}  // namespace eiota::serve
