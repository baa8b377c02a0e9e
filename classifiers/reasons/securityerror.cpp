// securityerror.cpp — text patterns for the bounce reason "securityerror" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::securityerror, Kind::regex,
     R"re(account[ ]not[ ]subscribed[ ]to[ ]ses)re",
     R"re(account not subscribed to ses)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(authentication[ ](?:credentialsinvalid|failure|failed;[ ]server[ ][^ ]+[ ]said:|required|turned[ ]on[ ]in[ ]your[ ]email[ ]client))re",
     R"re(authentication credentialsinvalid)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(authentification[ ]requise.+[0-9a-z_]+402)re",
     R"re(authentification requisex0402)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(codes?[ ]d'?[ ]*authentification[ ]invalide.+[0-9a-z_]+305)re",
     R"re(codes d' authentification invalidex0305)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(domain[ ][^ ]+[ ]is[ ]a[ ]dead[ ]domain)re",
     R"re(domain x is a dead domain)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(executable[ ]files[ ]are[ ]not[ ]allowed[ ]in[ ]compressed[ ]files)re",
     R"re(executable files are not allowed in compressed files)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(insecure[ ]mail[ ]relay)re",
     R"re(insecure mail relay)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(recipient[ ]address[ ]rejected:[ ]access[ ]denied)re",
     R"re(recipient address rejected: access denied)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(sorry,[ ]you[ ]don'?t[ ]authenticate[ ]or[ ]the[ ]domain[ ]isn'?t[ ]in[ ]my[ ]list[ ]of[ ]allowed[ ]rcpthosts)re",
     R"re(sorry, you don't authenticate or the domain isn't in my list of allowed rcpthosts)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(unauthenticated[ ]senders[ ]not[ ]allowed)re",
     R"re(unauthenticated senders not allowed)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(user[ ][^ ]+[ ]is[ ]not[ ]authorized[ ]to[ ]perform[ ]ses:sendrawemail[ ]on[ ]resource)re",
     R"re(user x is not authorized to perform ses:sendrawemail on resource)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(you[ ]are[ ]not[ ]authorized[ ]to[ ]send[ ]mail,[ ]authentication[ ]is[ ]required)re",
     R"re(you are not authorized to send mail, authentication is required)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::regex,
     R"re(verification[ ]failure)re",
     R"re(verification failure)re",
     "Sisimai Reason/SecurityError.pm"},
    {Reason::securityerror, Kind::literal,
     R"re(turn on smtp authentication)re",
     R"re(turn on smtp authentication)re",
     "Sisimai Lhost/MessageLabs.pm: 550-Please turn on SMTP Authentication in your mail client"},
};

} // namespace

std::span<const Pattern> securityerror_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
