// atomic_file.hpp — replaces a file atomically: the new content goes to a temporary file in the same
// directory, is flushed to disk, given its mode and renamed over the target, so a reader (Prometheus'
// textfile collector, a browser) sees the old file or the new one, never half of one.
//
// Input trust: the path is configuration or a command-line argument; the content is ours. Errors name
// the path and the failing step; the temporary file is removed on every failure.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ndr::agent {

std::expected<void, std::string> write_file_atomically(const std::string& path, std::string_view content,
                                                       mode_t mode = 0644);

} // namespace ndr::agent
