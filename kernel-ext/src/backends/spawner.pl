#!/usr/bin/perl
# Bulkrun local spawner: one small long-lived process that starts job wrappers on request
# and reports their exits. Forking from it costs a fraction of forking the Node server.
#   usage:  perl spawner.pl WRAPPER
#   stdin:  "<jobId>\t<workDir>\n" per job to start
#   stdout: "S <jobId> <pid>" started | "F <jobId> <reason>" could not fork |
#           "E <jobId> <pid> <waitStatus> [<cpuMicros> <maxRssKiB>]" exited (the usage
#           is the kernel's accounting of the wrapper and the job, where wait4 is callable)
# Each wrapper runs in its own session (process group), so it outlives the server and
# cancel can signal the whole group. On EOF (the server went away) the spawner exits and
# the wrappers keep running; the next server follows them through their work dirs.
use strict;
use warnings;
use POSIX qw(setsid :sys_wait_h _exit);
use Config;

my $wrapper = shift @ARGV or die "usage: spawner.pl WRAPPER\n";
$| = 1;
my %job;    # pid -> jobId

# Exits are reaped here, in the main loop, never in a signal handler: Perl runs handlers
# only between statements, so a SIGCHLD that lands just before a blocking read would wait
# for the next input, and with every slot held by an exited job none would come. The
# no-op handler makes select() return early (EINTR) when a child exits; the timeout
# bounds the wait when the signal lands just before select().
# wait4 returns the reaped child's rusage (its own and its waited-for children's: the job).
# Perl has no wait4 of its own; the syscall's number comes from syscall.ph, and the
# struct's layout (two timevals, then ru_maxrss) is that of 64-bit Linux.
my $wait4 = ($^O eq 'linux' && $Config{longsize} == 8)
    ? eval { require 'syscall.ph'; &SYS_wait4 } : undef;

sub reap {
    if (defined $wait4) {
        while (1) {
            my ($st, $ru) = (pack('i', 0), "\0" x 256);
            my $pid = syscall($wait4, -1, $st, WNOHANG, $ru);
            last if $pid <= 0;
            my $id = delete $job{$pid};
            next unless defined $id;
            my ($us, $uu, $ss, $su, $rss) = unpack('q5', $ru);
            my $cpu = ($us + $ss) * 1000000 + $uu + $su;
            print "E $id $pid " . unpack('i', $st) . " $cpu $rss\n";
        }
        return;
    }
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $id = delete $job{$pid};
        print "E $id $pid $?\n" if defined $id;
    }
}
$SIG{CHLD} = sub { };

sub start {
    my ($id, $dir) = split /\t/, shift, 2;
    return unless defined $dir;
    my $pid = fork();
    if (!defined $pid) {
        print "F $id $!\n";
        return;
    }
    if ($pid == 0) {
        $SIG{CHLD} = 'DEFAULT';
        setsid();
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', '/dev/null');
        $ENV{BULKRUN_SPAWNER} = 1;    # the wrapper leaves measuring memory to wait4
        exec('bash', $wrapper, $dir) or _exit(127);
    }
    # Recorded before the next reap, so even an instant exit is reported with its id.
    $job{$pid} = $id;
    print "S $id $pid\n";
}

my $buf = '';
my $rin = '';
vec($rin, fileno(STDIN), 1) = 1;
while (1) {
    reap();
    my $n = select(my $rout = $rin, undef, undef, %job ? 0.1 : undef);
    next if $n <= 0;    # a child exited (EINTR) or the timeout passed
    my $got = sysread(STDIN, $buf, 65536, length $buf);
    if (!defined $got) {
        next if $!{EINTR};
        last;
    }
    last if $got == 0;
    while ((my $i = index($buf, "\n")) >= 0) {
        my $line = substr($buf, 0, $i);
        substr($buf, 0, $i + 1) = '';
        start($line);
    }
}
