// input_files.hpp — turns PATH arguments into messages: "-" (stdin), .eml files, mbox files, maildirs
// and plain directories.
//
// A file that starts with an mbox "From " line is split into its messages; any other file is one
// message. A maildir (a directory with cur/ or new/) gives every file in cur/ and new/, sorted by path;
// any other directory gives its regular files (not hidden ones), sorted by name, not recursively. An
// input that cannot be read is reported by path and skipped; the rest are still read.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent {

struct InputError {
    std::string path;
    std::string message; // "No such file or directory", ...
};

struct ExpandedInputs {
    std::vector<std::string> files; // "-" stays "-"
    std::vector<InputError> errors;
};

// Expands directories and maildirs into files, in the order the arguments were given.
ExpandedInputs expand_paths(const std::vector<std::string>& paths);

// Reads a whole file ("-": standard input). false and *error set when it cannot be read.
bool read_input(const std::string& path, std::string& data, std::string* error);

// Calls f(source, index, raw) for every message of every input (index counts from 0 within a file).
// Returns the inputs that could not be read.
using MessageVisitor = std::function<void(const std::string& source, std::size_t index, std::string_view raw)>;
std::vector<InputError> for_each_message(const std::vector<std::string>& paths, const MessageVisitor& f);

} // namespace ndr::agent
