// read_xlsx.js FILE.xlsx - prints the first sheet's cells as exceljs (an
// independent reader) sees them: one line per row, cells joined by a tab,
// each as "t:value" (t: s string, n number, d date, e empty/other).
'use strict';
const ExcelJS = require('exceljs');
(async () => {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.readFile(process.argv[2]);
	const ws = wb.worksheets[0];
	const out = [ws.name];
	ws.eachRow({ includeEmpty: false }, (row) => {
		const cells = [];
		for (let c = 1; c <= ws.columnCount; c++) {
			const v = row.getCell(c).value;
			if (typeof v === 'string') cells.push('s:' + v);
			else if (typeof v === 'number') cells.push('n:' + v);
			else if (v instanceof Date) cells.push('d:' + v.toISOString());
			else cells.push('e:');
		}
		out.push(cells.join('\t'));
	});
	console.log(out.join('\n'));
})().catch((e) => { console.error(e); process.exit(1); });
