// Skipping the destruction of large results when the process is about to exit anyway, like
// clang's -disable-free. Freeing the SBOM of a big image (a vector of LayerResults with their
// maps of facts, ~80,000 owned-file strings, the Report) costs ~10 ms of single-core time at
// the end of `bulwark sbom`, only to hand memory back to an OS that reclaims it at exit in one
// go. The one-shot CLI commands turn this on; libraries and tests keep freeing normally, and
// sanitizer builds always free, so LeakSanitizer in CI sees every allocation released.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace bulwark::core {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(leak_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

namespace detail {

inline std::atomic<bool> skip_teardown_flag{false};

struct KeptBase {
  virtual ~KeptBase() = default;
};
template <typename T>
struct Kept final : KeptBase {
  explicit Kept(T&& v) : value(std::move(v)) {}
  T value;
};

// Never destroyed: what it holds stays reachable (not "lost" to leak checkers such as
// valgrind) until the OS takes the whole address space back at exit.
struct KeptList {
  std::mutex mutex;
  std::vector<KeptBase*> items;
};
inline KeptList& kept_list() {
  static auto* list = new KeptList;  // intentionally never deleted, see above
  return *list;
}

}  // namespace detail

// Set by a command that exits right after its one piece of work (`sbom`, `scan`); ignored
// (always false) in sanitizer builds. Never by a command that keeps running (a server, a
// watcher): every result it discards would stay for the life of the process.
inline void set_skip_teardown(bool on) {
  detail::skip_teardown_flag.store(on && !kSanitizerBuild, std::memory_order_relaxed);
}
inline bool skip_teardown() {
  return !kSanitizerBuild && detail::skip_teardown_flag.load(std::memory_order_relaxed);
}

// Ends the life of `value` now, or, when teardown is skipped, moves it where it lives (without
// its destructor ever running) until the process exits. Only for plain data: nothing whose
// destructor must run (files to flush, threads to join, temporary files to remove).
template <typename T>
void discard(T&& value) {
  static_assert(!std::is_lvalue_reference_v<T> && !std::is_const_v<T>,
                "discard takes ownership: pass std::move(x)");
  if (!skip_teardown()) {
    [[maybe_unused]] T gone = std::forward<T>(value);
    return;
  }
  auto* kept = new detail::Kept<T>(std::forward<T>(value));
  auto& list = detail::kept_list();
  std::lock_guard lock(list.mutex);
  list.items.push_back(kept);
}

}  // namespace bulwark::core
