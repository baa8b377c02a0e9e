#!/usr/bin/perl
# sisimai_dump.pl — runs Sisimai 4.25 (Debian libsisimai-perl) over the files named on the command line,
# in one process, and prints one JSON object per record (JSON Lines) on stdout. Used by bench/corpus
# as the peer to compare against; the input is the benchmark corpus (trusted enough for a benchmark).
# With --no-output first, each record is read field by field as below but not encoded or printed:
# Sisimai's own parsing without the JSON::PP encoding (stock Debian's JSON backend, as Sisimai->dump
# uses), to show how much of the peer's time the output is.
use strict;
use warnings;
use Sisimai;
use JSON::PP;

my $json = JSON::PP->new->canonical(1);
my $output = 1;
if (@ARGV && $ARGV[0] eq '--no-output') {
    $output = 0;
    shift @ARGV;
}
for my $path (@ARGV) {
    my $records = Sisimai->make($path, 'delivered' => 1) // [];
    (my $base = $path) =~ s{.*/}{};
    for my $r (@$records) {
        my $sb = $r->softbounce;
        my $record = {
            'source'          => $base,
            'recipient'       => lc($r->recipient->address // ''),
            'status'          => $r->deliverystatus // '',
            'reply_code'      => $r->replycode // '',
            'reason'          => $r->reason // '',
            'hard'            => (defined $sb && $sb eq '0') ? JSON::PP::true : JSON::PP::false,
            'diagnostic'      => $r->diagnosticcode // '',
            'diagnostic_type' => $r->diagnostictype // '',
            'smtp_command'    => $r->smtpcommand // '',
            'action'          => $r->action // '',
            'remote_mta'      => $r->rhost // '',
            'reporting_mta'   => $r->lhost // '',
            'agent'           => $r->smtpagent // '',
            'feedback_type'   => $r->feedbacktype // '',
        };
        print $json->encode($record), "\n" if $output;
    }
}
