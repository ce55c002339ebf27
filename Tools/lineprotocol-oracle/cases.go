package main

// handWritten covers each rule of the format once or more: escaping, types, errors, timestamps,
// comments, blank lines, CRLF.
var handWritten = []string{
	// measurement
	"cpu value=1", "cpu value=1 1000", "cpu\\,a value=1", "cpu\\ load value=1", "c\\\"p\\\"u value=1",
	",cpu value=1", "cpu", "cpu ", "cpu,", " cpu value=1", "\tcpu value=1", "cpu=1 value=1", "cpu\\=x value=1",
	"cpu\\ value=1", "cpu\\\\ value=1", "ünïcödé,tâg=välue fïeld=1", "cpu\\", "cpu\\\\,host=a value=1",
	"\"cpu\" value=1", "cpu#1 value=1", "#cpu value=1", "  # comment", "# comment\ncpu value=1",
	// tags
	"cpu,host=a value=1", "cpu,host=a,region=b value=1", "cpu,region=b,host=a value=1", "cpu,b=1,a=2,c=3 v=1",
	"cpu,host=a,host=b value=1", "cpu,host=a,region=b,host=c value=1", "cpu,host= value=1", "cpu,=a value=1",
	"cpu,host value=1", "cpu,host=a, value=1", "cpu,host=a,,region=b value=1", "cpu,host=a=b value=1",
	"cpu,host=a\\=b value=1", "cpu,ho\\=st=a value=1", "cpu,ho\\,st=a value=1", "cpu,host=a\\,b value=1",
	"cpu,host=a\\ b value=1", "cpu,host=a\\ b,region=c\\ d value=1", "cpu,host=\"a\" value=1",
	"cpu,host=a\\\\ value=1", "cpu,host=a\\\nb value=1", "cpu,host=a value=1,host=2", "cpu,host=a\tb value=1",
	"cpu,host=a", "cpu,host=a ", "cpu,host=a,", "cpu,host=a,b", "cpu,host=a,b=", "cpu ,host=a value=1",
	"cpu,host=a  value=1", "cpu,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10 v=1", "cpu,z=1,y=2,x=3,w=4 v=1",
	"cpu,Host=a,host=b v=1", "cpu,a\\ b=1,a=2 v=1",
	// fields: floats
	"cpu value=1.0", "cpu value=-1.5", "cpu value=.5", "cpu value=5.", "cpu value=-.5", "cpu value=.",
	"cpu value=-", "cpu value=1e6", "cpu value=1E6", "cpu value=1e+6", "cpu value=1e-6", "cpu value=1.5e300",
	"cpu value=1e400", "cpu value=1e-400", "cpu value=1e", "cpu value=1e+", "cpu value=e5", "cpu value=-e5",
	"cpu value=1.2.3", "cpu value=1-2", "cpu value=--1", "cpu value=NaN", "cpu value=nan", "cpu value=Inf",
	"cpu value=-Inf", "cpu value=inf", "cpu value=0x10", "cpu value=1_000", "cpu value=01", "cpu value=-0",
	"cpu value=123456789012345678901234567890", "cpu value=1234567890123456789012345", "cpu value=0.000000000000000000000001",
	"cpu value=179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	"cpu value=1.7976931348623157e308", "cpu value=2e308", "cpu value=4.9e-324", "cpu value=1.e5", "cpu value=1.5E-3",
	"cpu value=1e5e5", "cpu value=1.5.", "cpu value=1.0,value2=2.0", "cpu value=1.0 ,value2=2.0",
	// fields: integers and unsigned
	"cpu value=1i", "cpu value=-1i", "cpu value=0i", "cpu value=-0i", "cpu value=9223372036854775807i",
	"cpu value=9223372036854775808i", "cpu value=-9223372036854775808i", "cpu value=-9223372036854775809i",
	"cpu value=1.5i", "cpu value=1e5i", "cpu value=1ii", "cpu value=1i1", "cpu value=i", "cpu value=-i", "cpu value=1I",
	"cpu value=1u", "cpu value=0u", "cpu value=18446744073709551615u", "cpu value=18446744073709551616u",
	"cpu value=-1u", "cpu value=1.5u", "cpu value=1iu", "cpu value=1ui", "cpu value=u", "cpu value=1U",
	"cpu value=00000000000000000000001i", "cpu value=00000000000000000000001u",
	// fields: booleans
	"cpu value=t", "cpu value=T", "cpu value=true", "cpu value=True", "cpu value=TRUE", "cpu value=f",
	"cpu value=F", "cpu value=false", "cpu value=False", "cpu value=FALSE", "cpu value=tru", "cpu value=truee",
	"cpu value=TRue", "cpu value=yes", "cpu value=1b", "cpu value=fals", "cpu value=falsee", "cpu value=tRUE",
	// fields: strings
	"cpu value=\"hello\"", "cpu value=\"\"", "cpu value=\"hello world\"", "cpu value=\"a,b=c\"",
	"cpu value=\"a\\\"b\"", "cpu value=\"a\\\\b\"", "cpu value=\"a\\nb\"", "cpu value=\"line1\nline2\"",
	"cpu value=\"unbalanced", "cpu value=\"a\"b", "cpu value=\"a\"\"b\"", "cpu value=\"a\\\"", "cpu value=\"\\\"",
	"cpu value=\"a\" 1000", "cpu value=\"a b\" 1000", "cpu value=\"a\\\\\" 1000", "cpu value=\"ünï\"",
	"cpu value=\"a\",v2=1", "cpu value=\"a\",\"b\"=1", "cpu v=\"a\nb\"\ncpu v=2", "cpu v=\"a\r\nb\"",
	"cpu str=\"foo\\\\\\\"bar\"", "cpu str=\"\\\\\"", "cpu value=\"{\\\"json\\\": 1}\"",
	// fields: keys and structure
	"cpu  value=1", "cpu value=1,", "cpu value=1,,value2=2", "cpu =1", "cpu ,value=1", "cpu value", "cpu value=",
	"cpu value=,v2=1", "cpu value= 1", "cpu va\\ lue=1", "cpu va\\,lue=1", "cpu va\\=lue=1", "cpu va\"lue=1",
	"cpu \"value\"=1", "cpu value=1,value=2i", "cpu time=1", "cpu time=1 1000", "cpu a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12",
	"cpu value=1 value=2", "cpu value=1,value2", "cpu v=1,=2", "cpu \t=1", "cpu\t=1", "cpu v=1\tw=2",
	"cpu v\\ =1", "cpu v\\,=1", "cpu \\ v=1", "cpu v=1\\", "cpu v\\=\\=x=1",
	// timestamps
	"cpu value=1 0", "cpu value=1 -1", "cpu value=1 1", "cpu value=1 -0", "cpu value=1 9223372036854775806",
	"cpu value=1 9223372036854775807", "cpu value=1 9223372036854775808", "cpu value=1 -9223372036854775806",
	"cpu value=1 -9223372036854775807", "cpu value=1 -9223372036854775808", "cpu value=1 1a", "cpu value=1 a",
	"cpu value=1 1.5", "cpu value=1 -", "cpu value=1 --1", "cpu value=1 1000 ", "cpu value=1 1000  ",
	"cpu value=1 1000 x", "cpu value=1 1000\t", "cpu value=1  1000", "cpu value=1 1000 2000", "cpu value=1 +1000",
	"cpu value=1 1e9", "cpu value=1\t1000", "cpu value=1 ", "cpu value=1  ", "cpu value=1 \t",
	"cpu value=1 01000", "cpu value=1 1_000",
	// lines, comments, whitespace, line ends
	"", "\n", "\n\n\n", "   ", "\t\t", "#", "# only a comment", "cpu value=1\n", "cpu value=1\n\n", "\ncpu value=1",
	"cpu value=1\ncpu value=2\ncpu value=3", "cpu value=1\nbad\ncpu value=3", "cpu value=1\r\n", "cpu value=1\r\ncpu value=2\r\n",
	"cpu value=1 1000\r\n", "cpu,host=a value=1\r\n# c\r\n\r\nmem v=2i\r\n", "cpu value=1\r", "\r\n", "cpu value=1\n  \ncpu value=2",
	"cpu value=1\n#c\n  # indented\ncpu value=2", "cpu value=1\x00", "\x00cpu value=1", "cpu value=1\x00 1000",
	"cpu,host=a value=1 1000\ncpu,host=a value=2 2000\ncpu,host=b value=3 3000\n",
	"cpu value=1\\\ncpu value=2", "cpu,host=a\\\n value=1", "cpu,host=x\\\\\ncpu value=2",
	// Quoted newlines in comments and unbalanced quotes across lines (the speculative line split).
	"# a=\"x\ny\"\ncpu v=1", "#c a=\"x\ny\" 1\ncpu v=2", "cpu s=\"a\nb\" 1\ncpu v=2", "cpu s=\"unclosed\ncpu v=2\ncpu v=3",
	"cpu s=\"a\",t=\"b\nc\"\ncpu v=1", "cpu,t=\"x y=\"1\"\ncpu v=2", "  # x=\"\ncpu v=1\n\"", "cpu a=1,b=\"x\r\ny\"\ncpu v=2\n",
}

// precisionCases run under every precision.
var precisionCases = []string{
	"cpu value=1 1", "cpu value=1 1700000000", "cpu value=1 -1", "cpu value=1 9223372036", "cpu value=1 9223372037",
	"cpu value=1 2562047", "cpu value=1 2562048", "cpu value=1 153722867", "cpu value=1 153722868",
	"cpu value=1 9223372036854775", "cpu value=1 9223372036854776", "cpu value=1 9223372036854", "cpu value=1 9223372036855",
	"cpu value=1", "cpu value=1 0", "cpu value=1 -2562047", "cpu value=1 -2562048",
}
