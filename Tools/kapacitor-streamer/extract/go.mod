module extract
go 1.19
