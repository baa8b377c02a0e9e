// modules.hpp — the vendor-format modules, one function per .cpp file in this folder.
//
// Each function checks cheaply (headers, a few substring searches) whether the message is in its
// format; if not it returns false and leaves the report untouched. If it is, it adds or enriches
// records, fills the returned original when the vendor inlines it, calls finish() and returns true.
// Input is attacker-controlled: modules are linear, never throw, and add records only through
// add_record() (capped at k_max_recipients).
#pragma once

#include "classifiers/formats/common.hpp"

namespace ndr::classifiers::formats {

bool parse_amazonses(const Context& ctx, DeliveryReport& report);
bool parse_googlegroups(const Context& ctx, DeliveryReport& report);
bool parse_gmail(const Context& ctx, DeliveryReport& report);
bool parse_yahoo(const Context& ctx, DeliveryReport& report);
bool parse_dragonfly(const Context& ctx, DeliveryReport& report);
bool parse_qmail(const Context& ctx, DeliveryReport& report);
bool parse_exim(const Context& ctx, DeliveryReport& report);
bool parse_opensmtpd(const Context& ctx, DeliveryReport& report);
bool parse_sendmail(const Context& ctx, DeliveryReport& report);
bool parse_exchange(const Context& ctx, DeliveryReport& report);
bool parse_exchange2003(const Context& ctx, DeliveryReport& report);
bool parse_domino(const Context& ctx, DeliveryReport& report);
bool parse_mfilter(const Context& ctx, DeliveryReport& report);
bool parse_amazonworkmail(const Context& ctx, DeliveryReport& report);
bool parse_zoho(const Context& ctx, DeliveryReport& report);
bool parse_x3(const Context& ctx, DeliveryReport& report);
bool parse_x1(const Context& ctx, DeliveryReport& report);
bool parse_postfix(const Context& ctx, DeliveryReport& report);
bool parse_courier(const Context& ctx, DeliveryReport& report);
bool parse_ezweb(const Context& ctx, DeliveryReport& report);
bool parse_mailfoundry(const Context& ctx, DeliveryReport& report);
bool parse_mailmarshal(const Context& ctx, DeliveryReport& report);
bool parse_imailserver(const Context& ctx, DeliveryReport& report);
bool parse_fml(const Context& ctx, DeliveryReport& report);
bool parse_x6(const Context& ctx, DeliveryReport& report);
bool parse_apachejames(const Context& ctx, DeliveryReport& report);
bool parse_interscanmss(const Context& ctx, DeliveryReport& report);
bool parse_verizon(const Context& ctx, DeliveryReport& report);
bool parse_biglobe(const Context& ctx, DeliveryReport& report);
bool parse_fallback(const Context& ctx, DeliveryReport& report);

} // namespace ndr::classifiers::formats
