// needles.hpp — every phrase the vendor-format modules look for with find_head() / find_line() /
// find_first_line(), and the vendors' returned-original markers (find_original_marker()).
//
// Why one list: build_context() finds all of them in one pass over the message's text (an
// Aho-Corasick automaton over ASCII-folded bytes, search.cpp), so a module's format check is a lookup
// instead of a search, and the ~30 modules tried in order cost little when they do not match.
// A module names a phrase with a string literal as before; Needle's consteval constructor turns the
// literal into its index here at compile time, and a literal that is not listed does not compile.
// (Needle::unlisted() looks for any text with a plain case-insensitive search: the unit tests.)
//
// Rules for a listed phrase (checked at compile time below): not empty, at most k_max_needle_bytes,
// no line break (a phrase is found within one line), listed once.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace ndr::classifiers::formats {

inline constexpr std::size_t k_max_needle_bytes = 128;

// The vendors' marks of the start of a returned message (find_original_marker() reads a line whose
// trimmed text starts with one of them).
inline constexpr std::string_view k_original_markers[] = {
    "------ This is a copy of the message",         // Exim deliver.c
    "------ This is a copy of your message",        // Exim (older)
    "------ The body of the message is",            // Exim deliver.c, bounce_return_size_limit
    "--- The header of the original message is",    // GMX (Exim based)
    "Included is a copy of the message header",     // MXLogic (Exim based)
    "--- Below this line is a copy of the message", // qmail qmail-send.c, Yahoo
    "--- Enclosed are the original headers",        // qmail variants
    "----- Original message -----",                 // Gmail, Google Groups
    "Below is a copy of the original message",      // OpenSMTPD bounce.c
    "Message headers follow.",                      // DragonFly Mail Agent mail.c
    "Original message headers:",                    // Exchange Online / Office 365
    "------- Returned Message --------",            // Lotus Notes
    "----- Unsent message follows -----",           // Sendmail
    "----- Original message follows -----",         // Sendmail variants
    "-------original message",                      // m-FILTER
    "-------original mail info",                    // m-FILTER
    "Original message follows.",                    // IMail Server
    "--- Original message follows.",                // qmail-derived gateways (Sisimai Lhost/X4.pm)
    "Original Message:",                            // Verizon MMS
    "Your original message follows",                // Sendmail variants
};

// Opening sentences of qmail and its forks (Sisimai Lhost/qmail.pm $startingof): qmail.cpp.
inline constexpr std::string_view k_qmail_openers[] = {
    "This is the qmail-send program at",
    "I'm afraid I wasn't able to deliver your message",
    "unable to deliver your message to the following addresses",
    "Su mensaje no pudo ser entregado",
    "This is the machine generated message from mail service",
    "This is the mail delivery agent at",
    "Unable to deliver message to the following address",
    "Unfortunately, your mail was not delivered to the following address",
    "Your mail message to the following address",
    "Your message to the following addresses could not be delivered",
    "Your message was not delivered to the following recipients",
    "Your mail was not delivered to the following addresses",
};

// Exim's deliver.c opening lines (Sisimai Lhost/Exim.pm): exim.cpp.
inline constexpr std::string_view k_exim_openers[] = {
    "This message was created automatically by mail delivery software",
    "A message that you sent could not be delivered to",
    "A message that you have sent could not be delivered to", // MXLogic
    "A message that you sent has not yet been delivered to",
    "A message that you sent was rejected by the local scanning code",
    "A message that you sent contained one or more recipient addresses",
};

// The other phrases, by module (the From and Subject phrases are looked up in those headers).
inline constexpr std::string_view k_module_phrases[] = {
    // --- registry.cpp: the senders identify_agent() names, in From ---
    "@messagelabs.com",
    "mailer-daemon@mx.facebook.com",
    "mailer-daemon@googlemail.com",
    "postmaster@hotmail.com",
    "postmaster@outlook.com",
    "mailer-daemon@",
    // --- amazonworkmail.cpp ---
    "Technical report:",
    // --- googlegroups.cpp (Subject) ---
    "Delivery Status Notification",
    // --- gmail.cpp (From, then the text) ---
    "mailer-daemon@google",
    "mailer-daemon@gmail",
    "Delivery to the following recipient",
    "Technical details of",
    // --- yahoo.cpp ---
    "Sorry, we were unable to deliver your message to the following address",
    // --- zoho.cpp (From, then the text) ---
    "@mail.zoho",
    "THIS IS A WARNING MESSAGE ONLY",
    // --- dragonfly.cpp ---
    "This is the DragonFly Mail Agent",
    "There was an error delivering your mail to",
    // --- qmail.cpp ---
    "I'm still trying",
    // --- exim.cpp (Subject, then the text) ---
    "Mail delivery failed",
    "address(es) failed",
    "following address",
    "have not yet been delivered",
    "has not yet been delivered",
    "could not be delivered",
    "not yet been delivered",
    "The following text was generated during the delivery attempt",
    // --- opensmtpd.cpp ---
    "This is the MAILER-DAEMON, please DO NOT REPLY",
    "list of recipients",
    "is delayed for more than",
    // --- postfix.cpp ---
    "Transcript of session follows",
    "This is the mail system at host",
    "This is the Postfix program at host",
    "Delivery will be retried",
    "THIS IS A WARNING ONLY",
    // --- courier.cpp ---
    "running the Courier mail server",
    "following recipients cannot be delivered",
    "following recipients has been delayed",
    "following recipients",
    // --- sendmail.cpp ---
    "----- Transcript of session follows -----",
    "----- The following addresses had permanent fatal errors -----",
    "----- The following addresses had transient non-fatal errors -----",
    "----- The following addresses had permanent delivery errors -----",
    // --- exchange.cpp ---
    "Diagnostic information for administrators",
    "Original message headers",
    // --- exchange2003.cpp ---
    "did not reach the following recipient",
    // --- domino.cpp ---
    "was not delivered to:",
    "because:",
    "------- Failure Reasons",
    // --- mfilter.cpp ---
    "-------server message",
    // --- x3.cpp ---
    "This is an automatically generated Delivery Status Notification",
    "to the following recipients",
    // --- x1.cpp ---
    "---The following addresses had delivery errors---",
    // --- ezweb.cpp (From and Subject, then the text) ---
    "ezweb.ne.jp",
    "dion.ne.jp",
    "au.com",
    "Mail System Error - Returned Mail",
    "Could not be delivered to:",
    "Your mail sent on:",
    "Each of the following recipients was rejected",
    "The following recipients did not receive this message",
    "The user(s) ",
    "Your message was not delivered",
    // --- mailfoundry.cpp ---
    "Unable to deliver message to:",
    "Delivery failed for the following reason",
    // --- mailmarshal.cpp ---
    "Could not be delivered because of",
    "The following recipients were affected",
    // --- fml.cpp (From, then the text) ---
    "-admin@",
    "Original mail as follows:",
    // --- x6.cpp ---
    "We had trouble delivering your message. Full details follow:",
    // --- apachejames.cpp ---
    "Error message below:",
    "Message details:",
    // --- verizon.cpp ---
    "Message could not be delivered to mobile.",
    // --- biglobe.cpp ---
    "----- The following addresses had delivery problems -----",
    "----- Non-delivered information -----",
    // --- interscanmss.cpp (From and Subject) ---
    "interscan",
    "Mail could not be delivered",
    // --- fallback.cpp (From, then the text) ---
    "mailer-daemon",
    "postmaster",
    "Failed addresses follow:",
    "Did not reach the following recipient",
};

namespace detail {

template <std::size_t... N> consteval auto join(const std::string_view (&... lists)[N]) {
    std::array<std::string_view, (N + ...)> all{};
    std::size_t k = 0;
    ((std::copy(std::begin(lists), std::end(lists), all.begin() + k), k += N), ...);
    return all;
}

} // namespace detail

// Every listed phrase: the markers first (ids [0, k_marker_count)).
inline constexpr auto k_needles =
    detail::join(k_original_markers, k_qmail_openers, k_exim_openers, k_module_phrases);
inline constexpr std::size_t k_needle_count = k_needles.size();
inline constexpr std::size_t k_marker_count = std::size(k_original_markers);
inline constexpr std::uint16_t k_unlisted = 0xFFFF;

namespace detail {

consteval std::uint16_t needle_index(std::string_view s) {
    for (std::size_t i = 0; i < k_needle_count; ++i)
        if (k_needles[i] == s) return static_cast<std::uint16_t>(i);
    return k_unlisted;
}

consteval bool needles_valid() {
    if (k_needle_count >= k_unlisted || k_marker_count > k_needle_count) return false;
    std::size_t bytes = 0; // the automaton's states (search.cpp) are numbered in 16 bits
    for (std::string_view n : k_needles)
        bytes += n.size();
    if (bytes + 2 > 0xFFFF) return false;
    for (std::size_t i = 0; i < k_needle_count; ++i) {
        const std::string_view n = k_needles[i];
        if (n.empty() || n.size() > k_max_needle_bytes || n.find('\n') != std::string_view::npos)
            return false;
        for (std::size_t j = 0; j < i; ++j)
            if (k_needles[j] == n) return false;
        // A marker is read at the start of a trimmed line: it must start and end with a byte that
        // trim() keeps, and be at least as long as the shortest line find_original_marker() reads.
        const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
        if (i < k_marker_count && (n.size() < 10 || blank(n.front()) || blank(n.back()))) return false;
    }
    return true;
}
static_assert(needles_valid(),
              "k_needles: a phrase is empty, too long, spans lines or is listed twice, a "
              "marker is shorter than 10 bytes or starts or ends with a blank, or they are too many");

} // namespace detail

// A phrase to look for: a string literal, with its index in k_needles found at compile time.
struct Needle {
    std::string_view text;
    std::uint16_t id = k_unlisted;

    consteval Needle(const char* s) : Needle(std::string_view(s)) {}
    consteval Needle(std::string_view s) : text(s), id(detail::needle_index(text)) {
        if (id == k_unlisted) throw "the phrase is not listed in k_needles (classifiers/formats/needles.hpp)";
    }
    // At run time: listed phrase `i` (i < k_needle_count), or `s` looked for as if it were not listed
    // (the unit tests compare the two).
    static constexpr Needle listed(std::size_t i) {
        return Needle(k_needles[i], static_cast<std::uint16_t>(i));
    }
    static constexpr Needle unlisted(std::string_view s) { return Needle(s, k_unlisted); }

  private:
    constexpr Needle(std::string_view s, std::uint16_t i) : text(s), id(i) {}
};

namespace detail {

template <std::size_t N, std::size_t... I>
consteval std::array<Needle, N> needles_of(const std::string_view (&list)[N], std::index_sequence<I...>) {
    return {Needle(list[I])...};
}

} // namespace detail

// The Needles of a list of listed phrases (e.g. k_qmail_openers), at compile time.
template <std::size_t N> consteval std::array<Needle, N> needles_of(const std::string_view (&list)[N]) {
    return detail::needles_of(list, std::make_index_sequence<N>{});
}

} // namespace ndr::classifiers::formats
