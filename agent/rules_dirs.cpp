// rules_dirs.cpp — finds the rule directories (shipped, site, --rules-dir), reads their *.toml files in
// name order and hands them to the loader. File-system errors become "path: message" entries of the
// result's errors. Files are read up to k_max_rule_file_bytes + 1 (the loader reports larger ones).
#include "agent/rules_dirs.hpp"

#include "agent/store/store.hpp"
#include "classifiers/limits.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace ndr::agent {

namespace fs = std::filesystem;
using classifiers::rules::LoadResult;
using classifiers::rules::RuleFile;

namespace {

constexpr const char* k_site_rules_dir = "/etc/ndr-triage/rules.d";

std::string shipped_dir(const GlobalOptions& options) {
    if (!options.shipped_rules_dir.empty()) return options.shipped_rules_dir;
    if (const char* env = std::getenv("NDR_TRIAGE_SHIPPED_RULES"); env && *env) return env;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path installed = exe.parent_path().parent_path() / "share" / "ndr-triage" / "rules.d";
        if (fs::is_directory(installed, ec)) return installed.string();
    }
    return NDR_SOURCE_RULES_DIR;
}

// Reads every *.toml file of dir (sorted by name) into files; problems go to errors.
void read_dir(const std::string& dir, std::vector<RuleFile>& files, std::vector<std::string>& errors) {
    std::error_code ec;
    std::vector<fs::path> paths;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        errors.push_back(dir + ": cannot read rule directory: " + ec.message());
        return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            errors.push_back(dir + ": cannot read rule directory: " + ec.message());
            return;
        }
        const fs::path& p = it->path();
        if (p.extension() != ".toml") continue;
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) {
            errors.push_back(p.string() + ": not a regular file");
            continue;
        }
        paths.push_back(p);
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& p : paths) {
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            errors.push_back(p.string() + ": cannot open rule file");
            continue;
        }
        RuleFile f;
        f.path = p.string();
        // In chunks up to the cap: a buffer of the cap's size per file would be zero-filled and kept
        // (1 MiB per file, 50 MiB of resident memory and most of the load time for the shipped set).
        char buf[16384];
        bool bad = false;
        while (f.text.size() <= classifiers::k_max_rule_file_bytes) {
            std::size_t want = std::min(sizeof buf, classifiers::k_max_rule_file_bytes + 1 - f.text.size());
            in.read(buf, static_cast<std::streamsize>(want));
            f.text.append(buf, static_cast<std::size_t>(in.gcount()));
            if (in.bad()) bad = true;
            if (!in) break;
        }
        if (bad) {
            errors.push_back(p.string() + ": cannot read rule file");
            continue;
        }
        files.push_back(std::move(f));
    }
}

} // namespace

RuleDirFiles read_rule_dirs(const GlobalOptions& options) {
    RuleDirFiles out;
    const std::string shipped_path = shipped_dir(options);
    read_dir(shipped_path, out.shipped, out.errors);
    // A site directory that is the shipped one (`rules lint rules.d` in the source tree) is not loaded
    // twice: every file would otherwise be reported as a redefinition of itself.
    auto is_shipped = [&shipped_path](const std::string& dir) {
        std::error_code ec;
        return fs::equivalent(dir, shipped_path, ec) && !ec;
    };
    if (!options.no_site_rules) {
        std::error_code ec;
        if (fs::exists(k_site_rules_dir, ec) && !is_shipped(k_site_rules_dir))
            read_dir(k_site_rules_dir, out.site, out.errors);
    }
    for (const std::string& dir : options.rules_dirs)
        if (!is_shipped(dir)) read_dir(dir, out.site, out.errors);
    return out;
}

LoadResult load_rule_files(const RuleDirFiles& files, classifiers::rules::PatternCheck check) {
    LoadResult result = classifiers::rules::load_rules(files.shipped, files.site, check);
    std::vector<std::string> errors = files.errors;
    errors.insert(errors.end(), result.errors.begin(), result.errors.end());
    result.errors = std::move(errors);
    return result;
}

LoadResult load_rule_dirs(const GlobalOptions& options, classifiers::rules::PatternCheck check) {
    return load_rule_files(read_rule_dirs(options), check);
}

std::string rule_files_key(const RuleDirFiles& files) {
    // The executable takes part: another build may load the same files differently.
    std::string text = "ndr-triage rule files v1\n";
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        text += exe.string() + " " + std::to_string(fs::file_size(exe, ec)) + " ";
        if (!ec) text += std::to_string(fs::last_write_time(exe, ec).time_since_epoch().count());
    }
    text += "\n";
    for (const auto* group : {&files.shipped, &files.site}) {
        text += "group " + std::to_string(group->size()) + "\n";
        for (const RuleFile& f : *group)
            text +=
                std::to_string(f.path.size()) + ":" + f.path + std::to_string(f.text.size()) + ":" + f.text;
    }
    for (const auto& e : files.errors)
        text += "error " + e + "\n";
    return store::sha256_hex(text);
}

} // namespace ndr::agent
