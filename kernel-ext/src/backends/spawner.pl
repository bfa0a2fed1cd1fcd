#!/usr/bin/perl
# Bulkrun local spawner: one small long-lived process that starts job wrappers on request
# and reports their exits. Forking from it costs a fraction of forking the Node server.
#   usage:  perl spawner.pl WRAPPER
#   stdin:  "<jobId>\t<workDir>\n" per job to start
#   stdout: "S <jobId> <pid>" started | "F <jobId> <reason>" could not fork |
#           "E <jobId> <pid> <waitStatus>" exited
# Each wrapper runs in its own session (process group), so it outlives the server and
# cancel can signal the whole group. On EOF (the server went away) the spawner exits and
# the wrappers keep running; the next server follows them through their work dirs.
use strict;
use warnings;
use POSIX qw(setsid :sys_wait_h :signal_h _exit);

my $wrapper = shift @ARGV or die "usage: spawner.pl WRAPPER\n";
$| = 1;
my %job;    # pid -> jobId

sub reap {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $id = delete $job{$pid};
        print "E $id $pid $?\n" if defined $id;
    }
}
$SIG{CHLD} = \&reap;

my $chld = POSIX::SigSet->new(SIGCHLD);
while (1) {
    my $line = <STDIN>;
    if (!defined $line) {
        next if $!{EINTR};
        last;
    }
    chomp $line;
    my ($id, $dir) = split /\t/, $line, 2;
    next unless defined $dir;
    # Block SIGCHLD until the pid is recorded, so a fast exit is never reaped unnamed.
    sigprocmask(SIG_BLOCK, $chld);
    my $pid = fork();
    if (!defined $pid) {
        sigprocmask(SIG_UNBLOCK, $chld);
        print "F $id $!\n";
        next;
    }
    if ($pid == 0) {
        sigprocmask(SIG_UNBLOCK, $chld);
        $SIG{CHLD} = 'DEFAULT';
        setsid();
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', '/dev/null');
        exec('bash', $wrapper, $dir) or _exit(127);
    }
    $job{$pid} = $id;
    print "S $id $pid\n";
    sigprocmask(SIG_UNBLOCK, $chld);
}
