{
  seg0.seg1.seg2.seg3.seg4.seg5.seg6.seg7.seg8.seg9.seg10.seg11.seg12.seg13.seg14.seg15.seg16.seg17.seg18.seg19.seg20.seg21.seg22.seg23.seg24.seg25.seg26.seg27.seg28.seg29.seg30.seg31.seg32.seg33.seg34.seg35.seg36.seg37.seg38.seg39.seg40.seg41.seg42.seg43.seg44.seg45.seg46.seg47.seg48.seg49.seg50.seg51.seg52.seg53.seg54.seg55.seg56.seg57.seg58.seg59 = 1;
  s0.s1.s2.s3.s4.s5.s6.s7.s8.s9.s10.s11.s12.s13.s14.s15.s16.s17.s18.s19.s20.s21.s22.s23.s24.s25.s26.s27.s28.s29."quoted".${"x"} = 2;
}
