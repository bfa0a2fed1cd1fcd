#!/usr/bin/perl
# Bulkrun local spawner: one small long-lived process that runs jobs on request and
# reports their exits. Forking from it costs a fraction of forking the Node server.
#   usage:  perl spawner.pl
#   stdin:  "<jobId>\t<workDir>\t<n>\n" and n bytes per job to start: the text of its
#           job file (workdir.ts jobFileText), which the keeper keeps in memory, making
#           the work dir itself (n = 0: the work dir and its job file are there already)
#   stdout: "S <jobId> <pid>" started | "F <jobId> <reason>" could not fork |
#           "E <jobId> <pid> <waitStatus> [<cpuMicros> <maxRssKiB>]\t<exit>\t<claim>"
#           exited: the usage is the kernel's accounting of the job's keeper and the job,
#           where wait4 is callable; then the work dir's exit record and claim (the
#           keeper's start record) without their newline ("-" where missing or
#           incomplete), so the server reads no file on its one thread
# Each job gets a keeper: a fork of this process, in a session (process group) of its
# own, that does for the job what wrapper.sh does on the other backends (the same claim
# and exit records in the work dir, the claim standing for the start record; the same
# exit codes) and then runs the job as its child. A fork of a running perl starts in a fraction of the time bash needs to
# start and read the wrapper (docs/BENCHMARKS.md "The keeper"). The keeper
# outlives the server and this spawner, and cancel signals its whole group. On EOF (the
# server went away) the spawner exits and the keepers go on; the next server follows
# them through their work dirs.
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_CREAT O_EXCL O_TRUNC);
use File::Path qw(make_path);
use POSIX qw(setsid :sys_wait_h _exit);
use Config;

$| = 1;
my %job;    # pid -> jobId
my %dir;    # pid -> work dir

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
            print "E $id $pid " . unpack('i', $st) . " $cpu $rss" . records(delete $dir{$pid}) . "\n";
        }
        return;
    }
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $id = delete $job{$pid};
        print "E $id $pid $?" . records(delete $dir{$pid}) . "\n" if defined $id;
    }
}

# "\t<exit>\t<claim>": each record's line without its newline, "-" if not all written.
sub records {
    my ($d) = @_;
    my $out = '';
    for my $f ('exit', 'claim') {
        my $line = '';
        if (open(my $fh, '<', "$d/$f")) { local $/; $line = <$fh> // ''; close $fh }
        $out .= "\t" . ($line =~ /^([0-9 ]+)\n$/ ? $1 : '-');
    }
    return $out;
}
$SIG{CHLD} = sub { };

# Microseconds since the epoch, as wrapper.sh writes ${EPOCHREALTIME/./}. Time::HiRes
# is not in a minimal perl (Debian's perl-base): whole seconds there.
my $hires = eval { require Time::HiRes; 1 };
sub micros {
    my ($s, $us) = $hires ? Time::HiRes::gettimeofday() : (time(), 0);
    return sprintf('%d%06d', $s, $us);
}

# Writes a record in one write: a reader takes a line without its newline as unwritten.
sub record {
    my ($file, $flags, $text) = @_;
    sysopen(my $fh, $file, $flags, 0666) or return 0;
    my $ok = syswrite($fh, $text) == length $text;
    close $fh;
    return $ok;
}

# The keeper, in the forked child: the work of wrapper.sh, with its exit codes
# (97 no work dir, 98 no job file, 75 claimed by another, 0 already finished; 99 the
# keeper itself failed).
sub keep {
    my ($dir, $text) = @_;
    # Sent with the request, the job file stays in memory and the work dir is made here,
    # off the server's one thread: every file less is a file creation less per job.
    mkdir $dir or $!{EEXIST} or make_path($dir, { error => \my $err }) if length $text;
    chdir $dir or _exit(97);
    # A finished job never runs again (a duplicate submission after a crash).
    _exit(0) if -s 'exit';
    if (!length $text) {
        open(my $jf, '<:raw', 'job') or _exit(98);
        $text = do { local $/; <$jf> } // '';
        close $jf;
        length $text or _exit(98);
    }
    # Claim the run atomically: exactly one keeper or wrapper per work dir gets past this.
    # The claim is also the start record (readStarted in workdir.ts reads it where there is
    # no `started`): one file, not two.
    record('claim', O_WRONLY | O_CREAT | O_EXCL, "$$ " . micros() . "\n") or _exit(75);
    # job: <n>\0, n KEY=value\0 entries, then the argv.
    my @f = split /\0/, $text, -1;
    pop @f;    # the empty field after the last NUL
    my $n = shift @f;
    for my $kv (splice @f, 0, $n) {
        my ($k, $v) = split /=/, $kv, 2;
        $ENV{$k} = $v;
    }
    my @argv = @f;
    my $rc;
    my $pid = @argv ? fork() : undef;
    if (defined $pid && $pid == 0) {
        open(STDOUT, '>', 'stdout.log');
        open(STDERR, '>', 'stderr.log');
        # Never through a shell: the argv as stored, the program found on the job's PATH.
        { no warnings 'exec'; exec { $argv[0] } @argv; }
        my $why = $!;
        print STDERR "bulkrun: cannot run '$argv[0]': $why\n";
        _exit($!{ENOENT} ? 127 : 126);
    }
    if (!defined $pid) {
        $rc = 126;
        if (open(my $e, '>>', 'stderr.log')) { print $e "bulkrun: could not start the job: " . (@argv ? $! : 'no argv') . "\n"; close $e }
    } else {
        waitpid($pid, 0);
        $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    }
    # CPU time of the job's processes, in clock ticks of 1/100 s (as wrapper.sh reads them).
    my (undef, undef, $cu, $cs) = times;
    my $ticks = int(($cu + $cs) * 100 + 0.5);
    record('exit', O_WRONLY | O_CREAT | O_TRUNC, "$rc " . micros() . " $ticks\n");
    _exit($rc);
}

sub start {
    my ($id, $dir, $jobText) = @_;
    my $pid = fork();
    if (!defined $pid) {
        print "F $id $!\n";
        return;
    }
    if ($pid == 0) {
        $0 = "bulkrun-keeper $id";    # what ps shows
        $SIG{CHLD} = 'DEFAULT';
        setsid();
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', '/dev/null');
        # Whatever happens, the child never returns to the loop below: one spawner only.
        eval { keep($dir, $jobText) };
        _exit(99);
    }
    # Recorded before the next reap, so even an instant exit is reported with its id.
    $job{$pid} = $id;
    $dir{$pid} = $dir;
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
    # Each request: its header line, then as many bytes of job file as the header says.
    while ((my $i = index($buf, "\n")) >= 0) {
        my ($id, $dir, $n) = split /\t/, substr($buf, 0, $i);
        $n ||= 0;
        last if length($buf) < $i + 1 + $n;    # the job file has not all come yet
        my $jobText = substr($buf, $i + 1, $n);
        substr($buf, 0, $i + 1 + $n) = '';
        start($id, $dir, $jobText) if defined $dir;
    }
}
