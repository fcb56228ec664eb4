// messy_workbook.js OUT.xlsx [OUT.csv] - writes, with exceljs (an
// independent writer), the workbook an HR office really sends (issue 17):
// a merged title row, a two-row header under merged cells, columns
// hourseal does not read (序号, 备注), dates as real Excel dates (a custom
// yyyy/m/d format, the built-in format 14, a 年月日 format), as text in
// every spelling and as a bare Excel number, labels copied from
// hourseal's own pages, 7学时 and full-width digits, names with spaces
// around them, a unit merged over two people, rich text, a blank row, an
// ID number Excel turned into a number, three rows that are really wrong,
// and a 合计 row with a formula. With OUT.csv it also writes the same
// people as Excel's "CSV UTF-8" export of such a sheet would (BOM, one
// header row, dates as text).
//
//   NODE_PATH=tests/browser/node_modules node tests/interop/messy_workbook.js a.xlsx a.csv
'use strict';
const fs = require('fs');
const ExcelJS = require('exceljs');

// An ID number for region 350203 born on birth (YYYYMMDD), sequence seq.
function idnum(birth, seq) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	const body = '350203' + birth + String(seq).padStart(3, '0');
	let s = 0;
	for (let i = 0; i < 17; i++) s += w[i] * Number(body[i]);
	return body + '10X98765432'[s % 11];
}
// The first sequence from seq whose check character is X.
function idX(birth, seq) {
	for (;; seq++) {
		const id = idnum(birth, seq);
		if (id.endsWith('X')) return id;
	}
}
const D = (y, m, d) => new Date(Date.UTC(y, m - 1, d));

// Columns: 序号 姓名 身份证号 工作单位 年度 科目类别 公需类型 学习形式
// 课程名称 施训机构 开始日期 结束日期 学时 作者排序 备注 (A..O).
// start/end: a string (text), a Date (a date cell, fmt its format), or a
// number (an Excel date number, no date format). csv: the CSV's text
// where it differs.
const U1 = '厦门市第一医院', P1 = '福建省继续教育基地';
const people = [
	{ name: '张伟', id: idnum('19800101', 11), unit: U1, subj: '公需科目', form: '网络学习',
	  title: '新时代政绩观', start: '2025-03-01', end: '2025-03-01', hours: 12 },
	{ name: '王芳 ', id: idnum('19810202', 22), unit: U1, subj: '专业科目', form: '面授培训',
	  title: '临床路径管理', start: '2025/6/10', end: '2025/6/10', hours: '8学时' },
	{ name: '\u3000李娜', id: idnum('19820303', 33), unit: U1, subj: '公需', form: '网授',
	  title: '数字经济概论', start: '2025.10.01', end: '2025.10.01', hours: '\uff17' },
	{ name: '刘洋', id: idnum('19830404', 44), unit: '厦门大学', subj: '公需科目', form: '1',
	  title: '人工智能与社会', start: '2025年6月10日', end: '2025年6月11日', hours: 7,
	  csv: { hours: '7.0' } },
	{ name: '陈静', id: idnum('19840505', 55), unit: '厦门大学', subj: '专业科目', form: '面授培训',
	  title: '科研诚信', start: D(2025, 3, 15), end: D(2025, 3, 15), fmt: 'yyyy/m/d', hours: 6,
	  csv: { start: '2025/3/15 0:00', end: '2025/3/15 0:00' } },
	{ name: '杨帆', id: idnum('19850606', 66), unit: '厦门大学', subj: '专业科目', form: '面授培训',
	  title: '医学影像进展', start: D(2025, 4, 9), end: D(2025, 4, 10), fmt: 'mm-dd-yy', hours: 16,
	  csv: { start: '45756', end: '45757' } },
	{ name: '赵磊', id: idnum('19860707', 77), unit: '集美大学', subj: '专业科目', form: '面授培训',
	  title: '航海安全', start: D(2025, 3, 20), end: D(2025, 3, 20), fmt: 'yyyy"年"m"月"d"日"', hours: 8,
	  csv: { start: '20250320', end: '20250320' } },
	{ name: '黄敏', id: idnum('19870808', 88), unit: '集美大学', subj: '公需科目（必修）', form: '网络学习',
	  title: '法治素养', start: '2025-05-05', end: '2025-05-05', hours: 10 },
	{ name: '周杰', id: idnum('19880909', 99), unit: '集美大学', subj: '公需科目（选修）', form: '网络学习',
	  title: '心理健康', start: '2025-05-06', end: '2025-05-06', hours: 4 },
	{ name: '吴琳', id: idnum('19891010', 101), unit: '厦门理工学院', subj: '专业科目', form: '行业组织培训',
	  title: '建筑信息模型', start: '2025-07-01', end: '2025-07-02', hours: 16 },
	{ name: '徐强', id: idnum('19901111', 112), unit: '厦门理工学院', subj: '专业科目', form: '单位组织学习',
	  title: '质量管理体系', start: '2025-07-03', end: '2025-07-03', hours: 4 },
	{ name: '孙丽', id: idnum('19911212', 123), unit: '厦门理工学院', subj: '专业科目', form: '学术活动',
	  title: '年会报告', start: '2025-08-08', end: '2025-08-09', hours: 12 },
	{ name: '马超', id: idnum('19720115', 134), unit: '厦门理工学院', subj: '专业科目', form: '成果折算',
	  title: '论文：港口物流优化', start: '2025-01-02', end: '2025-12-31', hours: 60,
	  role: '第一作者 / 主持人' },
	{ name: '朱红', id: idX('19730216', 140).replace('X', '\uff38'), unit: '厦门海关', subj: '公需科目',
	  form: '网络学习', title: '保密教育', start: '2025-09-09', end: '2025-09-09', hours: 3 },
	{ name: '胡斌', id: idnum('19740317', 156), unit: '厦门市中医院', subj: '专业科目', form: '面授培训',
	  title: '中医经典', start: '2025-10-10', end: '2025-10-10', hours: 8, merge_unit: true },
	{ name: '郭玉', id: idnum('19750418', 167), unit: '', subj: '专业科目', form: '面授培训',
	  title: '中医经典', start: '2025-10-10', end: '2025-10-10', hours: 8,
	  csv: { unit: '厦门市中医院' } },
	{ name: '何平', id: idnum('19760519', 178), unit: '厦门市中医院', subj: '公需科目', form: '网络学习',
	  title: '应急管理', rich: true, start: '2025-11-01', end: '2025-11-01', hours: '6 学时' },
	{ name: '高翔', id: idnum('19770620', 189), unit: '厦门市中医院', subj: '专业', form: '面授',
	  title: '针灸技术', start: '2025-11-02', end: '2025-11-02', hours: 8, note: '补录' },
	{ name: '林峰', id: idnum('19780721', 191), unit: '厦门市中医院', subj: '公需科目', form: '网络学习',
	  title: '生态文明', start: '2025-11-03', end: '2025-11-03', hours: 5, year: '2025年度' },
	{ name: '罗敏', id: idnum('19790822', 202), unit: '厦门港务', subj: '公需科目', form: '网络学习',
	  title: '  安全生产  ', provider: P1 + '\u3000', start: '2025-11-04', end: '2025-11-04', hours: 2 },
	{ blank: true },
	{ name: '梁静', id: idnum('19800923', 213), unit: '厦门港务', subj: '公需科目', form: '网络学习',
	  title: '职业道德', start: '2025-11-05', end: '2025-11-05', hours: 3 },
	{ name: '宋佳', id: idnum('19811024', 224), unit: '厦门港务', subj: '专业科目', form: '面授培训',
	  title: '港口机械', start: '2025-11-06', end: '2025-11-06', hours: 8 },
	// Really wrong: refused with line, field and reason.
	{ name: '郑浩', id: idnum('19821125', 235), idAsNumber: true, unit: '厦门港务', subj: '公需科目',
	  form: '网络学习', title: '廉政教育', start: '2025-11-07', end: '2025-11-07', hours: 2,
	  csv: { id: '3.50203E+17' } },
	{ name: '谢娟', id: idnum('19831226', 246).slice(0, 17) + 'Y', unit: '厦门港务', subj: '公需科目',
	  form: '网络学习', title: '廉政教育', start: '2025-11-07', end: '2025-11-07', hours: 2, wrongcheck: true },
	{ name: '韩冰', id: idnum('19840127', 257), unit: '厦门港务', subj: '公需科目', form: '网络学习',
	  title: '廉政教育', start: '2025-11-07', end: '2025-11-07', hours: 13 },
	{ name: '唐亮', id: idnum('19850228', 268), unit: '厦门港务', subj: '公需科目', form: '网络学习',
	  title: '廉政教育', start: '2025/13/1', end: '2025-11-07', hours: 2 },
];
// 谢娟's ID: a digit where the check character should be, and wrong.
for (const p of people)
	if (p.wrongcheck) {
		const good = idnum(p.id.slice(6, 14), Number(p.id.slice(14, 17)));
		const c = good[17] === '0' ? '1' : '0';
		p.id = good.slice(0, 17) + c;
	}

const HEAD = ['序号', '姓名', '身份证号', '工作单位', '年度', '科目类别', '公需类型',
	'学习形式', '课程名称', '施训机构', '开始日期', '结束日期', '学时', '作者排序', '备注'];

async function main() {
	const out = process.argv[2], csvOut = process.argv[3];
	const wb = new ExcelJS.Workbook();
	wb.creator = '人事科';
	const ws = wb.addWorksheet('学时汇总');
	const notes = wb.addWorksheet('说明');
	notes.getCell('A1').value = '本表由单位人事科填报';

	ws.mergeCells('A1:O1');
	ws.getCell('A1').value = '2025年度专业技术人员继续教育学时汇总表';
	// Two header rows: every column merged over both but the dates,
	// which sit under a merged 学习时间.
	for (let c = 1; c <= 15; c++) {
		const col = String.fromCharCode(64 + c);
		if (c === 11 || c === 12) continue;
		ws.mergeCells(`${col}2:${col}3`);
		ws.getCell(`${col}2`).value = HEAD[c - 1];
	}
	ws.mergeCells('K2:L2');
	ws.getCell('K2').value = '学习时间';
	ws.getCell('K3').value = '开始日期';
	ws.getCell('L3').value = '结束日期';

	let r = 4, n = 0, mergeFrom = 0;
	const first = r;
	for (const p of people) {
		const row = ws.getRow(r);
		if (p.blank) {
			row.getCell(2).value = ' ';
			r++;
			continue;
		}
		n++;
		row.getCell(1).value = n;
		row.getCell(2).value = p.name;
		row.getCell(3).value = p.idAsNumber ? Number(p.id) : p.id;
		row.getCell(4).value = p.unit;
		row.getCell(5).value = p.year || 2025;
		row.getCell(6).value = p.subj;
		row.getCell(8).value = p.form;
		row.getCell(9).value = p.rich ? { richText: [
			{ text: '应急', font: { bold: true } }, { text: '管理' }] } : p.title;
		row.getCell(10).value = p.provider || P1;
		for (const [k, c] of [['start', 11], ['end', 12]]) {
			row.getCell(c).value = p[k];
			if (p[k] instanceof Date) row.getCell(c).numFmt = p.fmt;
		}
		row.getCell(13).value = p.hours;
		if (p.role) row.getCell(14).value = p.role;
		if (p.note) row.getCell(15).value = p.note;
		if (p.merge_unit) mergeFrom = r;
		else if (mergeFrom && p.unit === '') {
			ws.mergeCells(`D${mergeFrom}:D${r}`);
			mergeFrom = 0;
		}
		r++;
	}
	ws.mergeCells(`A${r}:L${r}`);
	ws.getCell(`A${r}`).value = '合计';
	ws.getCell(`M${r}`).value = { formula: `SUM(M${first}:M${r - 1})`, result: 212 };
	await wb.xlsx.writeFile(out);

	if (!csvOut) return;
	const q = (v) => /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
	const lines = [HEAD.join(',')];
	n = 0;
	for (const p of people) {
		if (p.blank) {
			lines.push(','.repeat(HEAD.length - 1));
			continue;
		}
		n++;
		const c = p.csv || {};
		const f = [String(n), p.name, c.id || p.id, c.unit !== undefined ? c.unit : p.unit,
			String(p.year || 2025), p.subj, '', p.form, p.title, p.provider || P1,
			c.start || String(p.start), c.end || String(p.end),
			c.hours || String(p.hours), p.role || '', p.note || ''];
		lines.push(f.map(q).join(','));
	}
	lines.push('合计' + ','.repeat(11) + ',212,,');
	fs.writeFileSync(csvOut, '\ufeff' + lines.join('\r\n') + '\r\n');
}
main().catch((e) => { console.error(e); process.exit(1); });
