import json, re, os
TD='kapsrc/integrations/testdata'
AGG={'count','mean','sum','percentile','median','mode','spread','stddev','min','max','first','last','distinct','elapsed','difference','top','bottom','holtWinters','cumulativeSum','movingAverage'}
SVC={'post','tcp','log','exec','email','sensu','slack','kafka','telegram','hipChat','alerta','discord','bigPanda','pushover','opsGenie','opsGenie2','pagerDuty','pagerDuty2','victorOps','talk','teams','serviceNow','snmpTrap','httpPost'}

def parse_tick(s):
    """Very small TICKscript chain tokenizer: returns nodes [{node,args,props:[{name,args}]}]"""
    nodes=[]; i=0; n=len(s); cur=None
    def read_args(j):
        # s[j]=='('
        depth=0; k=j
        while k<n:
            c=s[k]
            if s.startswith("'''",k):
                e=s.index("'''",k+3); k=e+3; continue
            if c=="'":
                e=k+1
                while s[e]!="'":
                    e+= 2 if s[e]=='\\' else 1
                k=e+1; continue
            if c=='"':
                e=s.index('"',k+1); k=e+1; continue
            if c=='(': depth+=1
            elif c==')':
                depth-=1
                if depth==0: return s[j+1:k], k+1
            k+=1
        raise ValueError
    while i<n:
        c=s[i]
        if s.startswith('//',i):
            i=s.index('\n',i) if '\n' in s[i:] else n; continue
        if s.startswith("'''",i):
            i=s.index("'''",i+3)+3; continue
        if c=="'":
            e=i+1
            while s[e]!="'": e+= 2 if s[e]=='\\' else 1
            i=e+1; continue
        m=re.match(r'([|.@])\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(',s[i:])
        if m and (c in '|@' or (c=='.' and cur is not None)):
            j=i+m.end()-1
            args,k=read_args(j)
            if c in '|@':
                cur={'node':m.group(2),'args':args.strip(),'props':[]}
                if c=='@': cur['udf']=True
                nodes.append(cur)
            else:
                cur['props'].append({'name':m.group(2),'args':args.strip()})
            i=k; continue
        m=re.match(r'\b(stream|batch)\b',s[i:])
        if m and (i==0 or not (s[i-1].isalnum() or s[i-1] in '_"\'')):
            cur={'node':m.group(1),'args':'','props':[]}; nodes.append(cur); i+=m.end(); continue
        i+=1
    return nodes

def node_summary(nd):
    p=' '.join('.%s(%s)'%(q['name'],q['args']) for q in nd['props'])
    return ('%s(%s)'%(nd['node'],nd['args'])+(' '+p if p else '')).replace('\n',' ')

ALERT_DEFAULTS={'ID':'','Message':'','Details':'','Time':'0001-01-01T00:00:00Z','Duration':0,'Level':'OK','Data':{'$type':'models.Result'},'PreviousLevel':'OK','Recoverable':False}
def fill_alert(v):
    if isinstance(v,dict) and v.get('$type')=='alert.Data':
        out={k:v.get(k,ALERT_DEFAULTS[k]) for k in ['ID','Message','Details','Time','Duration','Level','PreviousLevel','Recoverable','Data']}
        filled=[k for k in ALERT_DEFAULTS if k not in v]
        if filled: out['$zeroFilled']=filled
        return out
    if isinstance(v,list): return [fill_alert(x) for x in v]
    if isinstance(v,dict): return {k:fill_alert(x) for k,x in v.items()}
    return v

CORE={'id','message','details','info','warn','crit','infoReset','warnReset','critReset','stateChangesOnly','flapping','history','noRecoveries','topic','levelField','levelTag','idField','idTag','messageField','durationField','all','quiet','inhibit','category'}
HANDLERS=SVC|{'mode','endpoint'}
def split_props(props):
    core=[];handlers=[];cur=None
    for q in props:
        nm=q['name']
        if nm in CORE and not (cur and nm in ('teams','data','event','group','value','token','resource','origin','environment','services','correlated','timeout','node','type')):
            core.append('.%s(%s)'%(nm,q['args'])); continue
        if nm in SVC and not (nm=='teams' and cur and cur['handler'].startswith('opsGenie')):
            cur={'handler':nm,'args':q['args'],'props':[]}; handlers.append(cur); continue
        if cur is None:
            core.append('.%s(%s)'%(nm,q['args'])); continue
        cur['props'].append('.%s(%s)'%(nm,q['args']))
    return core,handlers
SKIPVARS={'ad','ad.Data','tmInit','configs','cmpopts','c','sc'}
notes=json.load(open('notes.json'))
out=[]
for line in open('raw.jsonl'):
    t=json.loads(line)
    name=t['name']
    call=t['calls'][-1]
    m=re.match(r'(\w+)\(t, "([^"]+)", script, (.*)\)$',call)
    fn,srplname,rest=m.groups()
    args=[a.strip() for a in rest.split(',')]
    dur=None; ignore=None
    if fn=='testStreamerCardinality':
        dur='20*time.Second'  # fastForwardTask inside testStreamerCardinality
    else:
        dur=args[0]
    if fn=='testStreamerWithOutput': ignore=(args[2]=='true')
    dm=re.match(r'(\d+)\*time\.Second$',dur) or re.match(r'time\.Second$',dur)
    durns=int(dm.group(1))*10**9 if dm and dm.groups() else 10**9
    srpl=open(os.path.join(TD,srplname+'.srpl')).read()
    nodes=parse_tick(t['script'])
    alert_nodes=[nd for nd in nodes if nd['node']=='alert']
    aprops=[]
    core_calls=[];handlers=[]
    for an in alert_nodes:
        c,h=split_props(an['props']); core_calls+=c; handlers+=h
    for c in core_calls:
        nm=c[1:c.index('(')]
        if nm not in aprops: aprops.append(nm)
    exp=[]
    for l in t['lits'] or []:
        if l.get('var') in SKIPVARS or l['type'].endswith('Config') or l['type'].endswith('Configs'): continue
        e={'goVar':l.get('var'),'goType':l['type'],'line':l['line']}
        if l.get('case'): e['requestNumber']=int(l['case']) if l['case'].isdigit() else l['case']
        if l.get('var')=='er': e['role']='httpOut result (GET on httpOut endpoint after run; compareResults%s)'%(' ignoring series order' if ignore else ', series order significant')
        elif l.get('var')=='es': e['role']='expected node ExecutionStats (reflect.DeepEqual)'
        elif l['type']=='alert.Data': e['role']='alert.Data received by the .post()/.tcp()/exec handler (compareAlertData)'
        else: e['role']='service-specific request/message expected by the fake service'
        e['value']=fill_alert(l['value'])
        exp.append(e)
    nt=notes.get(name,{})
    if name=='TestStream_AlertStateChangesOnlyExpired':
        new=[]
        for rc in range(1,7):
            if rc<6:
                v={'ID':'cpu:nil','Message':'cpu:nil is CRITICAL','Details':'','Time':'1971-01-01T00:00:%02dZ'%(rc*2-1),'Duration':(rc-1)*2*10**9,'Level':'CRITICAL','PreviousLevel':'OK' if rc==1 else 'CRITICAL','Recoverable':True,'Data':'NOT CHECKED (test sets ad.Data = models.Result{} before compare)'}
            else:
                v={'ID':'cpu:nil','Message':'cpu:nil is OK','Details':'','Time':'1971-01-01T00:00:10Z','Duration':9*10**9,'Level':'OK','PreviousLevel':'CRITICAL','Recoverable':True,'Data':'NOT CHECKED (test sets ad.Data = models.Result{} before compare)'}
            new.append({'goVar':'expAd','goType':'alert.Data','requestNumber':rc,'role':'alert.Data received by .post() handler (compareAlertData); expanded from rc-dependent Go expressions','value':v})
        exp=new
    if name=='TestStream_AlertSigma':
        ads=[x for x in exp if x['goType']=='alert.Data']
        for i,x in enumerate(ads): x['requestNumber']=i+1
    for x in exp:
        if x['goType']=='alert.Data' and 'requestNumber' not in x and name not in ('TestStream_AlertExec',):
            x['requestNumber']='any (same expectation for every request)' if x.get('goVar')=='expAd' else x.get('requestNumber')
        if x.get('requestNumber') is None: x.pop('requestNumber',None)
    o={'name':name,'goLine':t['line'],'tick':t['script'],
       'tickPlaceholders':sorted(set(re.findall(r'\{\{(ts\.URL|ts\.Addr|normalPath|modePath|[a-zA-Z]+\.[A-Za-z.()]+)\}\}',t['script']))),
       'srplName':srplname+'.srpl','srpl':srpl,
       'harness':call,'harnessFunc':fn,
       'duration':dur,'durationNs':durns,'ignoreOrder':ignore,
       'nodes':[node_summary(nd) for nd in nodes],
       'nodeKinds':sorted(set(nd['node'] for nd in nodes)),
       'alertProperties':aprops,
       'alertPropertyCalls':core_calls,
       'alertHandlers':handlers,
       'checks':t['checks'] or [],
       'expected':exp,
       'group':nt.get('group'),
       'notes':nt.get('notes','')}
    out.append(o)
with open('streamer-alert-tests.jsonl','w') as f:
    for o in out: f.write(json.dumps(o,ensure_ascii=False)+'\n')
print(len(out))
for o in out: print(o['name'],o['group'],o['nodeKinds'],o['alertProperties'])
