// mbox.cpp — indexes an mbox file in one bounded pass and reads messages by offset.
#include "agent/sources/mbox.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/scan.hpp"
#include "agent/sources/files.hpp"
#include "classifiers/limits.hpp"

namespace ndr::agent {

namespace {

// Bytes of each line kept while indexing: enough for a From_ line with its date.
constexpr std::size_t k_line_head_bytes = 512;
constexpr std::size_t k_read_buffer_bytes = 1 << 16;

class Fd {
  public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }

  private:
    int m_fd;
};

// The date in "From sender@example.com Mon Nov 23 18:25:49 2026" (asctime after the sender).
std::string from_line_date(std::string_view line) {
    auto rest = line.substr(5);
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) return {};
    if (auto t = parse_mail_date(rest.substr(space + 1))) return format_utc(*t);
    return {};
}

} // namespace

std::string mbox_unquote(std::string_view message) {
    std::string out;
    out.reserve(message.size());
    std::size_t pos = 0;
    while (pos < message.size()) {
        auto nl = message.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? message.size() : nl + 1;
        const auto line = message.substr(pos, end - pos);
        std::size_t gt = 0;
        while (gt < line.size() && line[gt] == '>') ++gt;
        if (gt > 0 && line.substr(gt).starts_with("From ")) out.append(line.substr(1));
        else out.append(line);
        pos = end;
    }
    return out;
}

MboxSource::MboxSource(std::string path) : m_path(std::move(path)) {}

FolderState MboxSource::open() {
    Fd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw std::runtime_error(m_path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw std::runtime_error(m_path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) throw std::runtime_error(m_path + ": not a regular file");

    m_messages.clear();
    m_truncated = false;
    std::vector<char> buf(k_read_buffer_bytes);
    std::string head;           // first bytes of the current line
    std::uint64_t offset = 0;   // file offset of buf[0]
    std::uint64_t line_start = 0;
    std::uint64_t line_length = 0;
    bool prev_empty = true;     // the file start counts as after an empty line
    bool first_line = true;
    bool is_mbox = false;
    std::uint64_t prev_line_start = 0; // start of the line before the current one
    const auto end_line = [&](std::uint64_t next_start) {
        std::string_view line(head);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const bool empty = line_length == 0 || (line_length == 1 && head == "\r");
        if (prev_empty && line.starts_with("From ") && (first_line || is_mbox)) {
            is_mbox = true;
            if (!m_messages.empty()) {
                // The previous message ends before the blank separator line.
                auto& last = m_messages.back();
                const std::uint64_t end = line_start > prev_line_start && !first_line ? prev_line_start : line_start;
                last.length = end > last.offset ? end - last.offset : 0;
            }
            if (m_messages.size() >= classifiers::k_max_mbox_messages) {
                m_truncated = true;
            } else {
                m_messages.push_back({next_start, 0, from_line_date(line)});
            }
        }
        first_line = false;
        prev_empty = empty;
        prev_line_start = line_start;
        line_start = next_start;
        line_length = 0;
        head.clear();
    };
    while (!m_truncated) {
        const auto n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(m_path + ": " + std::strerror(errno));
        if (n == 0) break;
        std::size_t pos = 0;
        const std::size_t len = static_cast<std::size_t>(n);
        while (pos < len) {
            const void* nl = std::memchr(buf.data() + pos, '\n', len - pos);
            const std::size_t seg_end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) : len;
            const std::size_t seg = seg_end - pos;
            if (head.size() < k_line_head_bytes)
                head.append(buf.data() + pos, std::min(seg, k_line_head_bytes - head.size()));
            line_length += seg;
            if (nl == nullptr) {
                pos = len;
                break;
            }
            end_line(offset + seg_end + 1);
            pos = seg_end + 1;
        }
        offset += len;
    }
    if (line_length > 0 || !head.empty()) end_line(offset);
    const std::uint64_t file_end = offset;
    if (!is_mbox) {
        m_messages.clear();
        if (file_end > 0) m_messages.push_back({0, file_end, {}});
    } else if (!m_messages.empty() && !m_truncated) {
        // Like every other message, the last one ends before a final blank line: its bytes (and so its
        // fingerprint) stay the same when another message is appended after it.
        auto& last = m_messages.back();
        const std::uint64_t end = prev_empty && prev_line_start >= last.offset ? prev_line_start : file_end;
        last.length = end > last.offset ? end - last.offset : 0;
    }
    const std::vector<std::string> parts{"mbox", absolute_path(m_path), std::to_string(st.st_dev),
                                         std::to_string(st.st_ino), std::to_string(st.st_size),
                                         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec)};
    return FolderState{"mbox:" + absolute_path(m_path), absolute_path(m_path), stable_hash32(parts),
                       static_cast<std::uint32_t>(m_messages.size() + 1)};
}

std::vector<std::uint32_t> MboxSource::list_after(std::uint32_t after_uid) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t uid = after_uid + 1; uid <= m_messages.size(); ++uid) out.push_back(uid);
    return out;
}

std::optional<SourceMessage> MboxSource::fetch(std::uint32_t uid) {
    if (uid == 0 || uid > m_messages.size()) return std::nullopt;
    const auto& e = m_messages[uid - 1];
    Fd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw std::runtime_error(m_path + ": " + std::strerror(errno));
    std::string data(static_cast<std::size_t>(std::min<std::uint64_t>(e.length, classifiers::k_max_message_bytes)), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        const auto n = ::pread(fd.get(), data.data() + got, data.size() - got, static_cast<off_t>(e.offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(m_path + ": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    if (got == 0 && e.length > 0) return std::nullopt; // the file shrank since open()
    return SourceMessage{uid, m_path + "#" + std::to_string(uid), mbox_unquote(data), e.from_date};
}

} // namespace ndr::agent
