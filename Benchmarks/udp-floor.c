// The floor of a UDP reader on this machine, for the sidecar figures in BENCHMARKS.md: a thread
// that only sleeps in poll(2) on one socket (and an eventfd, as the relay's engine does), reads
// with recvmmsg(2) and touches every 64th byte. SIGTERM prints its CPU per datagram.
//   cc -O2 -o /tmp/udp-floor Benchmarks/udp-floor.c && /tmp/udp-floor 27001 &
//   Benchmarks/.build/release/UDPLoad 27001 10000 10 25; kill %1
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <time.h>
#include <signal.h>
static volatile int stop;
static void onsig(int s){stop=1;}
int main(int argc,char**argv){
  int port=atoi(argv[1]);
  int s=socket(AF_INET,SOCK_DGRAM|SOCK_NONBLOCK,0);
  struct sockaddr_in a={.sin_family=AF_INET,.sin_port=htons(port)}; a.sin_addr.s_addr=htonl(0x7f000001);
  if(bind(s,(void*)&a,sizeof a)){perror("bind");return 1;}
  int e=eventfd(0,EFD_NONBLOCK);
  signal(SIGTERM,onsig);
  static char buf[16][65536]; struct mmsghdr m[16]; struct iovec v[16];
  for(int i=0;i<16;i++){v[i].iov_base=buf[i];v[i].iov_len=65536;memset(&m[i],0,sizeof m[i]);m[i].msg_hdr.msg_iov=&v[i];m[i].msg_hdr.msg_iovlen=1;}
  long n=0,wake=0; unsigned long sum=0;
  struct pollfd p[2]={{s,POLLIN},{e,POLLIN}};
  while(!stop){
    int r=poll(p,2,1000); if(r<=0) continue; wake++;
    for(;;){ int k=recvmmsg(s,m,16,MSG_DONTWAIT,0); if(k<=0)break; n+=k; for(int i=0;i<k;i++){ for(unsigned j=0;j<m[i].msg_len;j+=64) sum+=buf[i][j]; } }
  }
  struct rusage u; getrusage(RUSAGE_SELF,&u);
  double cpu=u.ru_utime.tv_sec*1e6+u.ru_utime.tv_usec+u.ru_stime.tv_sec*1e6+u.ru_stime.tv_usec;
  printf("datagrams %ld wakeups %ld cpu %.0f us  => %.1f us per datagram (%lu)\n",n,wake,cpu,cpu/n,sum&1);
}
