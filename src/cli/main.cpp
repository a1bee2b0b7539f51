#include "cli/app.hpp"
#include "core/teardown.hpp"

int main(int argc, char** argv) {
  // One command, then exit: large results are left to the OS instead of freed one by one
  // (core/teardown.hpp; sanitizer builds still free everything).
  bulwark::core::set_skip_teardown(true);
  return bulwark::cli::run(argc, argv);
}
